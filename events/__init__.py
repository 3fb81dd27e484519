"""negsim ground floor: terms, events, codec, logs, replay."""
