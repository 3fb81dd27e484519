"""negsim parties: utilities, strategies, SimPy processes."""
