// Engineering units as OPC UA EUInformation (OPC 10000-8 5.6.3). Units that UNECE Rec. 20
// lists carry its common code as unitId in the UNECE namespace, with the display name and
// description of the OPC Foundation's UNECE_to_OPCUA.csv (what the CTT compares against).
// Units it does not list (NTU, pH, kWh/m³) are not passed off as UNECE: they live in this
// server's own units namespace, each with a stable id of its own.
import { makeEUInformation, type EUInformation } from "node-opcua";

export const RECLAIM_UNITS_NAMESPACE = "urn:reclaim:units";

/** symbol → [UNECE common code, description]; the display name is the symbol. */
const UNECE: Readonly<Record<string, readonly [code: string, description: string]>> = {
  "%": ["P1", "percent"],
  bar: ["BAR", "bar [unit of pressure]"],
  "°C": ["CEL", "degree Celsius"],
  "m³/h": ["MQH", "cubic metre per hour"],
  "m³": ["MTQ", "cubic metre"],
  "µS/cm": ["G42", "microsiemens per centimetre"],
  "mg/L": ["M1", "milligram per litre"],
  A: ["AMP", "ampere"],
  kW: ["KWT", "kilowatt"],
  kWh: ["KWH", "kilowatt hour"],
  s: ["SEC", "second [unit of time]"],
  ms: ["C26", "millisecond"],
  h: ["HUR", "hour"],
};

/** Spellings in configs that mean a UNECE unit above. */
const ALIASES: Readonly<Record<string, string>> = { "uS/cm": "µS/cm", "μS/cm": "µS/cm", "mg/l": "mg/L", C: "°C", "m3/h": "m³/h", m3: "m³" };

/** symbol → [id in urn:reclaim:units, description]. Ids are never reused. */
const CUSTOM: Readonly<Record<string, readonly [id: number, description: string]>> = {
  NTU: [1, "nephelometric turbidity unit (ISO 7027)"],
  pH: [2, "pH, negative decimal logarithm of the hydrogen ion activity"],
  "kWh/m³": [3, "kilowatt hour per cubic metre (specific energy of treated water)"],
};

export function euInformation(unit: string): EUInformation | undefined {
  if (!unit) return undefined;
  const symbol = ALIASES[unit] ?? unit;
  const known = UNECE[symbol];
  if (known) return makeEUInformation(known[0], symbol, known[1]);
  const custom = CUSTOM[symbol];
  // makeEUInformation with an empty code gives unitId 0; both fields are then set for this namespace.
  const eu = makeEUInformation("", symbol, custom?.[1] ?? symbol);
  eu.namespaceUri = RECLAIM_UNITS_NAMESPACE;
  // -1: "no unitId available" (Part 8 5.6.3), for a unit this table does not know.
  eu.unitId = custom?.[0] ?? -1;
  return eu;
}
