# Times in the admin carry their offset (the server's zone is Asia/Shanghai, +08:00).
DATETIME_FORMAT = "Y-m-d H:i:s O"
SHORT_DATETIME_FORMAT = "Y-m-d H:i O"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
