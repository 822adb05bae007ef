// Integration tests run against the machine's PostgreSQL and RabbitMQ; these are the defaults when unset.
process.env.TEST_POSTGRES_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.TEST_RABBITMQ_URL ??= 'amqp://guest:guest@127.0.0.1:5672';
