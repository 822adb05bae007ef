import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** One file of the console, held in memory with the headers it is served with. */
export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** Vite names every asset by a hash of its content: a new build is new names, so browsers may keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page names the current assets, so it is revalidated every time. */
const REVALIDATE = 'no-cache';

/** The directory holding package.json above `start` (the repository, or /app in the image). */
function packageRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) return start;
  }
}

/**
 * The operator console as `npm run build` leaves it (`vite build console` into `dist/console`): `index.html` and
 * the hashed files under `assets/`, read once at boot. Only these files are ever served, looked up by name in a
 * map, so no request path reaches the file system.
 */
export class ConsoleBundle {
  private constructor(
    readonly page: ConsoleFile,
    private readonly assets: ReadonlyMap<string, ConsoleFile>,
  ) {}

  /** Where the build puts the console, found from this file whether it runs from `dist/` or from the sources. */
  static defaultDirectory(): string {
    return join(packageRoot(__dirname), 'dist', 'console');
  }

  /** The bundle in `directory`; undefined when it has not been built there. */
  static load(directory = ConsoleBundle.defaultDirectory()): ConsoleBundle | undefined {
    const index = join(directory, 'index.html');
    if (!existsSync(index)) return undefined;
    const assetsDirectory = join(directory, 'assets');
    const assets = new Map<string, ConsoleFile>();
    if (existsSync(assetsDirectory)) {
      for (const entry of readdirSync(assetsDirectory, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        assets.set(entry.name, ConsoleBundle.file(join(assetsDirectory, entry.name), IMMUTABLE));
      }
    }
    return new ConsoleBundle(ConsoleBundle.file(index, REVALIDATE), assets);
  }

  asset(name: string): ConsoleFile | undefined {
    return this.assets.get(name);
  }

  private static file(path: string, cacheControl: string): ConsoleFile {
    return {
      body: readFileSync(path),
      contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      cacheControl,
    };
  }
}
