import { appEn } from "./app.en";
import { buyerEn } from "./buyer.en";
import { communityEn } from "./community.en";
import { consoleNavEn } from "./consoleNav.en";
import type { Messages } from "./ko";
import { membershipEn } from "./membership.en";
import { paymentsEn } from "./payments.en";
import { validationEn } from "./validation.en";

export const en: Messages = {
  ...communityEn,
  ...appEn,
  ...membershipEn,
  ...paymentsEn,
  ...validationEn,
  ...buyerEn,
  ...consoleNavEn,
  "app.title": "Gonggu",
  "app.tagline": "Split bulk buys with your neighbours",
  "lang.switch": "한국어",
  "lang.switchLabel": "한국어로 보기",

  "health.label": "API status",
  "health.checking": "Checking…",
  "health.ok": "OK",
  "health.down": "Unreachable",

  "login.heading": "Log in",
  "login.email": "Email",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.submitting": "Logging in…",

  "account.heading": "My account",
  "account.name": "Name",
  "account.email": "Email",
  "account.role": "Role",
  "account.region": "Neighbourhood",
  "account.noRegion": "Not set yet",
  "account.verification": "Verification",
  "account.logout": "Log out",

  "verification.current": "Verified · until {date}",
  "verification.expired": "Expired ({date}) · please verify again",
  "verification.none": "Not verified",

  "role.buyer": "Buyer",
  "role.seller": "Seller",
  "role.admin": "Admin",

  "error.credentials": "Email or password is incorrect.",
  "error.rateLimited": "Too many login attempts. Please try again later.",
  "error.network": "Can't reach the server. Check your connection.",
  "error.unknown": "Something went wrong. Please try again.",
  "error.retry": "Try again",
  loading: "Loading…",
};
