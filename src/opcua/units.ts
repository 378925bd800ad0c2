// Engineering units as OPC UA EUInformation: UNECE Rec. 20 common codes where one exists
// (OPC UA Part 8, 5.6.3); units UNECE does not list (NTU, pH) keep their display name and
// unitId -1 in this server's own units namespace, as Part 8 allows.
import { makeEUInformation } from "node-opcua";

const UNECE: Record<string, [code: string, long: string]> = {
  "%": ["P1", "percent"],
  bar: ["BAR", "bar"],
  "°C": ["CEL", "degree Celsius"],
  "m³/h": ["MQH", "cubic metre per hour"],
  "m³": ["MTQ", "cubic metre"],
  "µS/cm": ["G42", "microsiemens per centimetre"],
  "mg/L": ["M1", "milligram per litre"],
  A: ["AMP", "ampere"],
  kW: ["KWT", "kilowatt"],
  kWh: ["KWH", "kilowatt hour"],
  "kWh/m³": ["KWH", "kilowatt hour per cubic metre"],
  s: ["SEC", "second"],
  ms: ["C26", "millisecond"],
};

const CUSTOM: Record<string, string> = {
  NTU: "nephelometric turbidity unit",
  pH: "pH (dimensionless acidity)",
};

export const RECLAIM_UNITS_NAMESPACE = "urn:reclaim:units";

export function euInformation(unit: string): ReturnType<typeof makeEUInformation> | undefined {
  if (!unit) return undefined;
  const known = UNECE[unit];
  if (known) return makeEUInformation(known[0], unit, known[1]);
  const eu = makeEUInformation("", unit, CUSTOM[unit] ?? unit);
  eu.namespaceUri = RECLAIM_UNITS_NAMESPACE;
  eu.unitId = -1;
  return eu;
}
