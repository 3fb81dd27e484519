"""negsim world and tools: scenarios, engine, batches, CLI."""
