// ledgerline users create | list | set-role | disable | enable | reset-password — dashboard users.
import {
  createUser,
  listUsers,
  resetUserPassword,
  setUserDisabled,
  setUserRole,
  type UserInfo,
} from "@/lib/server/auth/users.ts";
import {
  UsageError,
  lines,
  oneArg,
  operator,
  print,
  readPasswordStdin,
  roleArg,
  shownOncePassword,
  stringOption,
  withLedger,
  type CommandGroup,
  type CommandLine,
} from "./kit.ts";

const SET_ROLE_USAGE = "users set-role needs <email> <role>, e.g. ledgerline users set-role ana@example.com analyst";

function status(u: UserInfo): string {
  return u.disabledAt ? "disabled" : "active  ";
}

function passwordArg(line: CommandLine): string | undefined {
  return line.values["password-stdin"] ? readPasswordStdin() : undefined;
}

async function enableOrDisable(line: CommandLine): Promise<number> {
  const command = `users ${line.sub}`;
  const email = oneArg(line.rest, `${command} needs <email>, e.g. ledgerline ${command} ana@example.com`);
  const u = await withLedger((l) => setUserDisabled(l, operator(), email, line.sub === "disable"));
  print(
    line.out,
    u,
    u.disabledAt
      ? `Disabled ${u.email}; they are signed out on their next request and their read tokens stop working.`
      : `Enabled ${u.email}.`,
  );
  return 0;
}

export const usersCommand: CommandGroup = {
  name: "users",
  usage: `  users create --email <email> --role <admin|auditor|analyst> [--name <name>] [--password-stdin] [--json]
                         create a password user; without --password-stdin a password is
                         generated and printed once (hand it over out of band)
  users list [--json]    list users, their roles and status
  users set-role <email> <admin|auditor|analyst> [--json]
                         change a user's role (applies on their next request)
  users disable <email> [--json]
                         disable a user (signed out on their next request; tokens stop)
  users enable <email> [--json]
                         enable a disabled user again
  users reset-password <email> [--password-stdin] [--json]
                         set a new password (generated and printed once when not given)
                         and end the user's sessions`,
  options: {
    email: { type: "string" },
    role: { type: "string" },
    name: { type: "string" },
    "password-stdin": { type: "boolean", default: false },
  },
  subcommands: {
    async create(line) {
      const email = stringOption(line, "email");
      if (!email)
        throw new UsageError("users create needs --email <email>, e.g. --email auditor@example.com --role auditor");
      const role = roleArg(stringOption(line, "role"), "users create needs --role <admin|auditor|analyst>");
      const password = passwordArg(line);
      const name = stringOption(line, "name");
      const r = await withLedger((l) => createUser(l, operator(), { email, role, name, password }));
      print(line.out, r, `Created user ${r.user.email} (${r.user.role}).` + shownOncePassword(r.password));
      return 0;
    },
    async list(line) {
      const users = await withLedger((l) => listUsers(l, operator()));
      const human = lines(
        users,
        (u) =>
          `${u.email}  ${u.role.padEnd(7)}  ${status(u)}  ${u.authProvider}  created ${u.createdAt}${u.name ? `  (${u.name})` : ""}`,
        "No users. Create one with: ledgerline users create --email <email> --role admin",
      );
      print(line.out, users, human);
      return 0;
    },
    async "set-role"(line) {
      const [email, roleRaw, ...extra] = line.rest;
      if (!email || extra.length) throw new UsageError(SET_ROLE_USAGE);
      const role = roleArg(roleRaw ?? stringOption(line, "role"), SET_ROLE_USAGE);
      const u = await withLedger((l) => setUserRole(l, operator(), email, role));
      print(line.out, u, `${u.email} is now ${u.role}; this applies on their next request.`);
      return 0;
    },
    disable: enableOrDisable,
    enable: enableOrDisable,
    async "reset-password"(line) {
      const email = oneArg(
        line.rest,
        "users reset-password needs <email>, e.g. ledgerline users reset-password ana@example.com",
      );
      const password = passwordArg(line);
      const r = await withLedger((l) => resetUserPassword(l, operator(), email, password));
      print(
        line.out,
        r,
        `New password set for ${r.user.email}; their existing sessions have ended.` + shownOncePassword(r.password),
      );
      return 0;
    },
  },
};
