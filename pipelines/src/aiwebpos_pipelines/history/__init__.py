"""The history generator: a realistic Lesotho chain's past, as the events its store nodes would have sent."""
