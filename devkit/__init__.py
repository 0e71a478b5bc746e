"""Our real parts run locally on free ports (a Mosquitto with the production config) for the tests, the
demo and the benchmarks."""
