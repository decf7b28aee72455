/** Every error the collector answers with has this shape, whatever the status. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    /** Field-level problems, keyed by a dotted path such as `conditions.page.rules.0.value`. */
    fields?: Record<string, string>;
  };
}

/** A page of a list endpoint. Pass `nextCursor` back as `cursor` for the next page; null means the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
