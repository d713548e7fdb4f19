-- Every object key is up to 500 characters (the rule of every *_s3_key field); services had 255.
ALTER TABLE services ALTER COLUMN icon_s3_key TYPE varchar(500);
