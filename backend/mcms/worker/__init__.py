"""The background worker: a durable command queue and the periodic duties."""
