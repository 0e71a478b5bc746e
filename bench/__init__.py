"""Benchmarks of AIWebPOS against the physical limits measured in the same run (`python -m bench`)."""
