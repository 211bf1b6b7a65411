"""Live updates: the durable event log every change writes to, and the hub that
tails it for subscribers (GraphQL subscriptions, server-sent events)."""
