import { createResource, createSignal, Show } from "solid-js";
import { BANKS, type BankCode, BUSINESS_TYPES, type BusinessType } from "../../../../shared/payouts";
import { Field } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { BusinessNumberField, SelectField, Submit } from "../../console/fields";
import { t } from "../../console/i18n";
import { api } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission } from "../../lib/forms";
import { locale } from "../../lib/i18n";

/**
 * 정산 계좌: the seller registers (or changes) the bank account Toss 지급대행 pays them on. The account number goes to
 * Toss; what comes back is its last 4 digits and Toss's status, shown in words with what the seller must do.
 */
export default function PayoutAccountPanel() {
  // wrapped: "no account yet" (null) is an answer to show, not a loading state
  const [data, { refetch, mutate }] = createResource(async () => ({
    account: await api.seller.payoutAccount.get.query(),
  }));
  const account = () => data.latest?.account ?? null;
  const [editing, setEditing] = createSignal(false);
  const [businessType, setBusinessType] = createSignal<BusinessType>("INDIVIDUAL");
  const submit = createSubmission({
    businessType: {},
    name: { messages: { invalid_format: "validation.noControlChars" } },
    representativeName: { messages: { invalid: "validation.empty" } },
    businessNumber: { messages: { invalid_format: "validation.businessNumber", invalid: "validation.empty" } },
    email: {},
    phone: { messages: { invalid_format: "validation.phone" } },
    bankCode: {},
    accountNumber: { messages: { invalid_format: "validation.accountNumber" } },
    holderName: { messages: { invalid_format: "validation.noControlChars" } },
  });

  async function save(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "");
    const business = businessType() !== "INDIVIDUAL";
    const saved = await submit.run(() =>
      api.seller.payoutAccount.save.mutate({
        businessType: businessType(),
        name: text("name"),
        representativeName: business ? text("representativeName") : undefined,
        businessNumber: business ? text("businessNumber") : undefined,
        email: text("email"),
        phone: text("phone"),
        bankCode: text("bankCode") as BankCode,
        accountNumber: text("accountNumber"),
        holderName: text("holderName"),
      }),
    );
    if (saved) {
      mutate({ account: saved });
      setEditing(false);
    }
  }

  const form = () => (
    <form onSubmit={save} novalidate data-testid="payout-account-form">
      <SelectField
        label={t("seller.account.businessType")}
        name="businessType"
        value={businessType()}
        onChange={(e) => setBusinessType(e.currentTarget.value as BusinessType)}
        options={BUSINESS_TYPES.map((b) => [b, t(`seller.account.type.${b}`)] as const)}
        errors={submit.fields().businessType}
      />
      <Field
        label={businessType() === "INDIVIDUAL" ? t("seller.account.name") : t("seller.account.companyName")}
        name="name"
        required
        maxLength={40}
        errors={submit.fields().name}
      />
      <Show when={businessType() !== "INDIVIDUAL"}>
        <Field
          label={t("seller.account.representative")}
          name="representativeName"
          required
          maxLength={40}
          errors={submit.fields().representativeName}
        />
        <BusinessNumberField errors={submit.fields().businessNumber} />
      </Show>
      <Field label={t("seller.account.email")} name="email" type="email" required errors={submit.fields().email} />
      <Field
        label={t("seller.account.phone")}
        name="phone"
        type="tel"
        inputMode="tel"
        placeholder="010-1234-5678"
        required
        errors={submit.fields().phone}
      />
      <SelectField
        label={t("seller.account.bank")}
        name="bankCode"
        options={BANKS}
        value={account()?.bankCode ?? BANKS[0][0]}
        errors={submit.fields().bankCode}
      />
      <Field
        label={t("seller.account.number")}
        name="accountNumber"
        inputMode="numeric"
        autocomplete="off"
        required
        hint={t("seller.account.numberHint")}
        errors={submit.fields().accountNumber}
      />
      <Field
        label={t("seller.account.holder")}
        name="holderName"
        value={account()?.holderName ?? ""}
        required
        maxLength={40}
        errors={submit.fields().holderName}
      />
      <Submit
        pending={submit.pending()}
        message={submit.message()}
        label={account() ? t("seller.account.update") : t("seller.account.register")}
        busyLabel={t("seller.account.saving")}
      />
    </form>
  );

  return (
    <section class="card" aria-labelledby="payout-account-heading">
      <h2 id="payout-account-heading">{t("seller.account.heading")}</h2>
      <Loaded data={data} retry={refetch}>
        {() => (
          <Show
            when={account()}
            fallback={
              <>
                <p class="hint">{t("seller.account.none")}</p>
                {form()}
              </>
            }
          >
            {(a) => (
              <>
                <dl class="facts" data-testid="payout-account">
                  <dt>{t("seller.account.bank")}</dt>
                  <dd>
                    {a().bankName} {a().accountMasked}
                  </dd>
                  <dt>{t("seller.account.holder")}</dt>
                  <dd>{a().holderName}</dd>
                  <dt>{t("seller.account.status")}</dt>
                  <dd data-testid="payout-account-status">{t(`seller.account.status.${a().status}`)}</dd>
                </dl>
                <p class={a().payable ? "hint" : "callout"} data-testid="payout-account-todo">
                  {t(`seller.account.todo.${a().status}`, { limit: formatWon(a().limitWon ?? 0, locale()) })}
                </p>
                <Show
                  when={editing()}
                  fallback={
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => {
                        setBusinessType(a().businessType);
                        setEditing(true);
                      }}
                    >
                      {t("seller.account.change")}
                    </button>
                  }
                >
                  {form()}
                </Show>
              </>
            )}
          </Show>
        )}
      </Loaded>
    </section>
  );
}
