import type { PostalAddress } from "../api/types.js";
import { countryName } from "../checkout/countries.js";

/** A postal address as a label writes it: one part a line, the empty parts left out. */
export function AddressBlock({ address }: { address: PostalAddress }) {
  const place = [address.postalCode, address.city, address.region].filter(Boolean).join(" ");
  return (
    <address>
      {[address.name, address.line1, address.line2, place, countryName(address.country)]
        .filter((part): part is string => part !== null && part !== "")
        .map((part) => (
          <span key={part} class="address-line">
            {part}
          </span>
        ))}
    </address>
  );
}
