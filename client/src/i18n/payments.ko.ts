/** Korean strings of card charging, refunds and their notifications (spread into ko.ts). */
export const paymentsKo = {
  "notification.wallet.charge_paid": "미뤄 둔 카드 결제 {amount}이 완료됐어요.",
  "notification.wallet.charge_declined":
    "미뤄 둔 카드 결제 {amount}이 거절됐어요({reason}). 지급된 포인트 {clawedBack}을 회수했어요.",
  "notification.wallet.charge_debt": "이미 사용한 {debt}은 미결제 금액으로 남아 있어요. 카드로 충전하면 먼저 정산돼요.",
  "notification.wallet.refund_failed": "환불 {amount}이 카드사에서 거절됐어요({reason}). 포인트는 다시 지갑에 있어요.",
};
