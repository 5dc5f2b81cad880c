-- hello-service schema, version 1: the greetings the service says.
CREATE TABLE greetings (
  id SERIAL PRIMARY KEY,
  text TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO greetings (text) VALUES ('Hello'), ('Hi there');
