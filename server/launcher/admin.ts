/**
 * `npm run admin -- <command>`: what an administrator does from the machine itself.
 *
 *   reset-password <email>   sets a new password (printed once) and ends the user's sessions
 *
 * It uses the same database as `npm start` (DATABASE_URL, or the embedded one, which must be running).
 */
import { closeDb, db } from "~/db/client";
import { resetPassword } from "../workspaces/passwords";

async function main() {
  const [command, arg] = process.argv.slice(2);
  if (command === "reset-password" && arg) {
    const password = await resetPassword(db(), arg);
    console.log(`New password for ${arg} (shown once; their sessions have ended):\n${password}`);
    return;
  }
  console.error("usage: npm run admin -- reset-password <email>");
  process.exitCode = 2;
}

main()
  .catch((e: unknown) => {
    console.error(`[admin] ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => void closeDb());
