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
  "login.tagline": "Split bulk buys with your neighbours and pick them up nearby.",
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
  "error.notFound": "Not found. It was removed, or the address is wrong.",
  "error.badRequest": "That request could not be processed. Check what you entered.",
  "error.loggedOut": "You were logged out. Please log in again.",
  "error.forbidden": "You are not allowed to do this.",
  "error.notNow": "This can't be done right now. Reload the screen and check again.",
  "error.conflict": "That clashed with another change. Reload and try again.",
  "error.tooFast": "Too many attempts. Please try again in a moment.",
  "error.unavailable": "This can't be processed right now. Please try again in a moment.",
  "error.tooLarge": "That is too large. Shorten it and try again.",
  "error.retry": "Try again",
  loading: "Loading…",
};
