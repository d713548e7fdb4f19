ALTER TABLE services ALTER COLUMN icon_s3_key TYPE varchar(255);
