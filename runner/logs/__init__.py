"""TaskLog data model, masking, durable storage and the task lifecycle manager."""
