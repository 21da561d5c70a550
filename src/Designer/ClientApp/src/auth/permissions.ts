import type { Role } from "../api/types";

/** What a role may do, mirroring the server's policies (src/Designer/Auth/Roles.cs); the server checks every call
 * anyway: the console only hides what would be refused. */
export type Permission = "read" | "operate" | "integrate" | "templates";

const grants: Record<Role, Permission[]> = {
  integrator: ["read", "operate", "integrate", "templates"],
  operator: ["read", "operate"],
  "business-user": ["read", "templates"],
};

export function roleCan(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (grants[role]?.includes(permission) ?? false);
}

export const roleLabels: Record<Role, string> = {
  integrator: "Integrator",
  operator: "Operator",
  "business-user": "Business user",
};
