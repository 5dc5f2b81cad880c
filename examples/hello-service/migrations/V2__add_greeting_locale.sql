-- Version 2: greetings per locale (expand step: nullable column with a default, safe for the running version).
ALTER TABLE greetings ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
CREATE INDEX greetings_locale_idx ON greetings (locale);
INSERT INTO greetings (text, locale) VALUES ('Bonjour', 'fr'), ('Hallo', 'de');
