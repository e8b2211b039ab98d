import { reject } from './binance-rejection.js';

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const INTEGER = /^-?[0-9]{1,20}$/;

/** A request's parameters (query string and form body together), read the way Binance reads them. Internal. */
export class Params {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  has(name: string): boolean {
    const value = this.#values.get(name);
    return value !== undefined && value !== '';
  }

  string(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw reject.mandatory(name);
    return value;
  }

  /** A positive decimal (`^([0-9]{1,20})(\.[0-9]{1,20})?$`), or `undefined` when absent. */
  decimal(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!DECIMAL.test(value)) throw reject.illegal(name);
    return Number(value);
  }

  requiredDecimal(name: string): number {
    const value = this.decimal(name);
    if (value === undefined) throw reject.mandatory(name);
    return value;
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!INTEGER.test(value)) throw reject.illegal(name);
    return Number(value);
  }
}
