import { appKo } from "./app.ko";
import { buyerKo } from "./buyer.ko";
import { communityKo } from "./community.ko";
import { consoleNavKo } from "./consoleNav.ko";
import { membershipKo } from "./membership.ko";
import { paymentsKo } from "./payments.ko";
import { validationKo } from "./validation.ko";

/** Korean UI strings (the default). Keys are grouped by screen; en.ts must have every key. */
export const ko = {
  ...communityKo,
  ...appKo,
  ...membershipKo,
  ...paymentsKo,
  ...validationKo,
  ...buyerKo,
  ...consoleNavKo,
  "app.title": "공구",
  "app.tagline": "우리 동네 이웃과 함께 나눠 사는 공동구매",
  "lang.switch": "English",
  "lang.switchLabel": "Switch to English",

  "health.label": "서버 상태",
  "health.checking": "확인 중…",
  "health.ok": "정상",
  "health.down": "연결 안 됨",

  "login.heading": "로그인",
  "login.tagline": "대용량 상품을 동네 이웃과 나눠 사고, 가까운 곳에서 받아 가요.",
  "login.email": "이메일",
  "login.password": "비밀번호",
  "login.submit": "로그인",
  "login.submitting": "로그인 중…",

  "account.heading": "내 정보",
  "account.name": "이름",
  "account.email": "이메일",
  "account.role": "역할",
  "account.region": "우리 동네",
  "account.noRegion": "아직 정하지 않았어요",
  "account.verification": "동네 인증",
  "account.logout": "로그아웃",

  "verification.current": "인증됨 · {date}까지",
  "verification.expired": "만료됨 ({date}) · 다시 인증해 주세요",
  "verification.none": "인증 전",

  "role.buyer": "구매자",
  "role.seller": "판매자",
  "role.admin": "관리자",

  "error.credentials": "이메일 또는 비밀번호가 올바르지 않아요.",
  "error.rateLimited": "로그인 시도가 너무 많아요. 잠시 후 다시 시도해 주세요.",
  "error.network": "서버에 연결할 수 없어요. 네트워크를 확인해 주세요.",
  "error.unknown": "문제가 생겼어요. 다시 시도해 주세요.",
  "error.notFound": "찾을 수 없어요. 삭제됐거나 주소가 잘못됐어요.",
  "error.badRequest": "요청을 처리할 수 없어요. 입력한 내용을 확인해 주세요.",
  "error.loggedOut": "로그인이 풀렸어요. 다시 로그인해 주세요.",
  "error.forbidden": "이 작업을 할 수 있는 권한이 없어요.",
  "error.notNow": "지금은 할 수 없는 작업이에요. 화면을 새로 고친 뒤 다시 확인해 주세요.",
  "error.conflict": "다른 변경과 겹쳤어요. 새로 고친 뒤 다시 시도해 주세요.",
  "error.tooFast": "너무 자주 시도했어요. 잠시 후 다시 시도해 주세요.",
  "error.unavailable": "지금은 처리할 수 없어요. 잠시 후 다시 시도해 주세요.",
  "error.tooLarge": "내용이 너무 커요. 줄여서 다시 시도해 주세요.",
  "error.retry": "다시 시도",
  loading: "불러오는 중…",
} as const;

export type MessageKey = keyof typeof ko;
export type Messages = Record<MessageKey, string>;
/** A translator over these keys (the app's i18n `t`, or a test's over one dictionary). */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
