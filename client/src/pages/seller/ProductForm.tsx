import { Show } from "solid-js";
import { PRODUCT_CATEGORIES } from "../../../../shared/groupbuy";
import { Field } from "../../components/Field";
import { CheckField, SelectField, Submit, TextAreaField } from "../../console/fields";
import { t } from "../../console/i18n";
import { api, type RouterOutputs } from "../../lib/api";
import { createSubmission } from "../../lib/forms";
import { groupedWon, onWonInput } from "../../lib/wonInput";

export type Product = RouterOutputs["products"]["list"]["items"][number];
type InputName = "title" | "totalQuantity" | "unit" | "totalPrice";

/** A number typed in a form field (commas allowed); the server says what is wrong with it. */
function int(form: FormData, name: string): number {
  const raw = String(form.get(name) ?? "")
    .replaceAll(",", "")
    .trim();
  return raw === "" ? Number.NaN : Number(raw);
}

/**
 * Create a product, or edit one when `product` is given (only changed fields are sent). One form on the page at a time:
 * field ids come from the field names.
 */
export function ProductForm(props: { product?: Product; onDone: (p: Product) => void; onCancel?: () => void }) {
  const submit = createSubmission({
    title: {},
    description: {},
    category: {},
    totalQuantity: {},
    unit: {},
    totalPrice: { unit: "won" },
    allowHosts: {},
  });

  /** A required input of the product: filled from the product being edited, the server's message underneath. */
  const Input = (field: { name: InputName; label: string; numeric?: boolean; won?: boolean; placeholder?: string }) => (
    <Field
      label={field.label}
      name={field.name}
      inputMode={field.numeric || field.won ? "numeric" : undefined}
      placeholder={field.placeholder}
      // a price is grouped as it is typed ("39,900"), like the wallet's amounts
      value={field.won ? groupedWon(props.product?.totalPrice ?? 0) : (props.product?.[field.name] ?? "")}
      onInput={field.won ? (e) => onWonInput(e.currentTarget, () => {}) : undefined}
      required
      errors={submit.fields()[field.name]}
    />
  );

  async function save(e: SubmitEvent) {
    e.preventDefault();
    const el = e.currentTarget as HTMLFormElement;
    const form = new FormData(el);
    const fields = {
      title: String(form.get("title") ?? ""),
      description: String(form.get("description") ?? ""),
      category: String(form.get("category")) as Product["category"],
      totalQuantity: int(form, "totalQuantity"),
      unit: String(form.get("unit") ?? ""),
      totalPrice: int(form, "totalPrice"),
      allowHosts: form.get("allowHosts") === "on",
    };
    const current = props.product;
    const result = await submit.run(() => {
      if (!current) return api.products.create.mutate(fields);
      const changed = Object.fromEntries(
        Object.entries(fields).filter(([k, v]) => current[k as keyof typeof fields] !== v),
      );
      return api.products.update.mutate({ id: current.id, ...changed });
    });
    if (result) {
      if (!current) el.reset();
      props.onDone(result as Product);
    }
  }

  return (
    <form onSubmit={save} novalidate class="product-form" data-testid={props.product ? "product-edit" : "product-new"}>
      <Input name="title" label={t("seller.product.title")} />
      <TextAreaField
        label={t("seller.product.description")}
        name="description"
        value={props.product?.description ?? ""}
        rows={3}
        errors={submit.fields().description}
      />
      <SelectField
        label={t("seller.product.category")}
        name="category"
        value={props.product?.category ?? "fresh"}
        options={PRODUCT_CATEGORIES.map((c) => [c, t(`category.${c}`)] as const)}
        errors={submit.fields().category}
      />
      <div class="row">
        <Input name="totalQuantity" label={t("seller.product.quantity")} numeric />
        <Input name="unit" label={t("seller.product.unit")} placeholder="kg" />
      </div>
      <Input name="totalPrice" label={t("seller.product.price")} won />
      <CheckField
        label={t("seller.product.allowHosts")}
        name="allowHosts"
        checked={props.product?.allowHosts ?? false}
        errors={submit.fields().allowHosts}
      />
      <div class="actions">
        <Submit
          pending={submit.pending()}
          message={submit.message()}
          label={props.product ? t("console.save") : t("seller.product.create")}
          busyLabel={t("console.saving")}
        />
        <Show when={props.onCancel}>
          <button type="button" class="secondary" onClick={() => props.onCancel?.()}>
            {t("console.cancel")}
          </button>
        </Show>
      </div>
    </form>
  );
}
