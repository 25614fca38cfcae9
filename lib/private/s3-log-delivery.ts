/** The service principal S3 server access log delivery writes as. */
export const S3_LOG_DELIVERY_PRINCIPAL = 'logging.s3.amazonaws.com';
