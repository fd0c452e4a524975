/** Users and their single sign-on identities. Records never carry the password hash. */
import type { Kysely, Selectable } from "kysely";
import type { UsersTable } from "./accounts-schema.js";
import type { Database } from "./schema.js";
import { fromFlag, newId, timestamp, toFlag } from "./values.js";

export interface User {
  id: string;
  email: string | null;
  name: string | null;
  /** Whether the user can sign in with a password. */
  hasPassword: boolean;
  /** Whether the email is known to be theirs (single sign-on vouched, or the server's admin made the account). */
  emailVerified: boolean;
  createdAt: string;
}

export interface NewUser {
  email?: string | null;
  name?: string | null;
  /** Already hashed (accounts/passwords.ts); storage never sees a password. */
  passwordHash?: string | null;
  /** Default false: only a single sign-on provider or the server's admin vouches for an email. */
  emailVerified?: boolean;
}

/** Emails compare case-insensitively; they are stored lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewUser, now: Date = new Date()): Promise<User> {
    const row: Selectable<UsersTable> = {
      id: newId(now),
      email: input.email ? normalizeEmail(input.email) : null,
      name: input.name ?? null,
      password_hash: input.passwordHash ?? null,
      created_at: timestamp(now),
      email_verified: toFlag(input.emailVerified ?? false),
    };
    await this.db.insertInto("users").values(row).execute();
    return toUser(row);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toUser(row);
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normalizeEmail(email))
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** For password sign-in only: the stored hash of the user with this email. */
  async passwordHashByEmail(email: string): Promise<{ user: User; passwordHash: string | null } | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normalizeEmail(email))
      .executeTakeFirst();
    return row && { user: toUser(row), passwordHash: row.password_hash };
  }

  /** For a password change only: the stored hash of this user (null: they sign in with SSO only). */
  async passwordHashOf(id: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirst();
    return row?.password_hash;
  }

  async setPasswordHash(id: string, passwordHash: string | null): Promise<void> {
    await this.db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", id).execute();
  }

  async setEmailVerified(id: string, verified: boolean): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ email_verified: toFlag(verified) })
      .where("id", "=", id)
      .execute();
  }

  async findByIdentity(issuer: string, subject: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("identities")
      .innerJoin("users", "users.id", "identities.user_id")
      .selectAll("users")
      .where("identities.issuer", "=", issuer)
      .where("identities.subject", "=", subject)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async linkIdentity(userId: string, issuer: string, subject: string, now: Date = new Date()): Promise<void> {
    await this.db
      .insertInto("identities")
      .values({ issuer, subject, user_id: userId, created_at: timestamp(now) })
      .execute();
  }
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    hasPassword: row.password_hash !== null,
    emailVerified: fromFlag(row.email_verified),
    createdAt: row.created_at,
  };
}
