"""Training data: parse scores and MIDI files once into a compact event file, then tokenize it for the model."""
