"""Demo datasets and their loaders. Seeds write through the store port only."""
