// Installs helm/promtool/docker-compose/yamllint once for the whole run when missing.
import { ensureTools } from '../src/tools.ts';

export default function globalSetup(): void {
  ensureTools();
}
