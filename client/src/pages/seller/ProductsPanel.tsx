import { createResource, createSignal, For, Show } from "solid-js";
import { FormError } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { t } from "../../console/i18n";
import { api } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission } from "../../lib/forms";
import { locale } from "../../lib/i18n";
import { type Product, ProductForm } from "./ProductForm";

/** The seller's products: list, create, edit (one form open at a time), archive. */
export default function ProductsPanel() {
  const [list, { refetch }] = createResource(() => api.products.list.query({ limit: 100 }));
  const [editing, setEditing] = createSignal<string | null>(null);
  const [archiving, setArchiving] = createSignal<string | null>(null);
  // A refused archive (a session that ended, a suspension) says why beside its product; it failed silently.
  const archive = createSubmission();
  const [failed, setFailed] = createSignal<string | null>(null);

  async function toggleArchive(p: Product) {
    setArchiving(p.id);
    const done = await archive.run(() => api.products.update.mutate({ id: p.id, archived: !p.archived }));
    setFailed(done ? null : p.id);
    if (done) await refetch();
    setArchiving(null);
  }

  return (
    <>
      <Show when={!editing()}>
        <section class="card" aria-labelledby="new-product-heading">
          <h2 id="new-product-heading">{t("seller.product.new")}</h2>
          <ProductForm onDone={() => void refetch()} />
        </section>
      </Show>
      <section class="card" aria-labelledby="products-heading">
        <h2 id="products-heading">{t("seller.products")}</h2>
        <Loaded data={list} retry={refetch} empty={<p>{t("seller.product.none")}</p>}>
          {() => (
            <ul class="console-list" data-testid="products">
              <For each={list.latest?.items}>
                {(p) => (
                  <li classList={{ archived: p.archived }}>
                    <Show
                      when={editing() === p.id}
                      fallback={
                        <>
                          <div class="console-row">
                            <span>
                              <strong>{p.title}</strong>
                              <small class="muted">
                                {" · "}
                                {t(`category.${p.category}`)} · {p.totalQuantity}
                                {p.unit} · {formatWon(p.totalPrice, locale())}
                                {p.archived ? ` · ${t("seller.product.archived")}` : ""}
                              </small>
                            </span>
                          </div>
                          <div class="actions">
                            <button type="button" class="secondary" onClick={() => setEditing(p.id)}>
                              {t("console.edit")}
                            </button>
                            <button
                              type="button"
                              class="secondary"
                              disabled={archiving() === p.id}
                              aria-busy={archiving() === p.id}
                              onClick={() => void toggleArchive(p)}
                            >
                              {p.archived ? t("seller.product.restore") : t("seller.product.archive")}
                            </button>
                          </div>
                          <Show when={failed() === p.id}>
                            <FormError message={archive.message()} />
                          </Show>
                        </>
                      }
                    >
                      <ProductForm
                        product={p}
                        onDone={() => {
                          setEditing(null);
                          void refetch();
                        }}
                        onCancel={() => setEditing(null)}
                      />
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          )}
        </Loaded>
      </section>
    </>
  );
}
