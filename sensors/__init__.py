"""Sensors: devices and network inputs that turn the world into named, normalized, time-stamped bus events."""
