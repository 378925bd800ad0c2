// Plain-text layout for the commands; shared with the report, whose module owns it.
export { humanDuration, localTime, plain, table, valueText } from "../report/format.js";
