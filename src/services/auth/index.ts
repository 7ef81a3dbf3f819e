export { type AuthResponse, type AuthService, createAuthService } from "./auth-service.ts";
