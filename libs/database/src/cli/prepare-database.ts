import { AppConfig, loadDotEnv } from '@app/config';
import { prepareDatabase } from '../prepare-database';

/** `npm run migration:run`: create the database in DATABASE_URL if needed and apply pending migrations. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = AppConfig.load();
  const { created, migrations } = await prepareDatabase(config.database.url);
  const name = new URL(config.database.url).pathname.slice(1);
  process.stdout.write(
    `database ${name}: ${created ? 'created' : 'exists'}; ` +
      `${migrations.length ? `applied ${migrations.join(', ')}` : 'schema up to date'}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
