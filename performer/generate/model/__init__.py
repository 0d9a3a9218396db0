"""The streaming note model: its tokens, network, training, weights and the generator the conductor runs."""
