// The TRUE value of every tag the plant can measure, by name: the one place that maps the
// reference skid's tag names onto the model's state. Booleans are 1/0.
import type { Drive } from "./drive.js";
import type { Tank } from "./tank.js";
import type { UltraFilter, ReverseOsmosis } from "./treatment.js";
import type { DivertValve } from "./valve.js";
import { Q, type CoilName, type DriveName } from "./tags.js";

/** What measureTag needs from the plant (kept narrow so the mapping reads as a table). */
export interface PlantView {
  readonly params: { readonly lslPct: number };
  readonly eq: Tank;
  readonly breakTank: Tank;
  readonly reuseTank: Tank;
  readonly drives: Readonly<Record<DriveName, Drive>>;
  readonly valve: DivertValve;
  readonly uf: UltraFilter;
  readonly ro: ReverseOsmosis;
  readonly qRo: Float64Array;
  readonly qAnalyzers: Float64Array;
  readonly flows: { uf: number; permeate: number; concentrate: number };
  readonly totals: { uf: number; permeate: number; concentrate: number; product: number };
  readonly pressures: { pit201: number; pit202: number; pit301: number };
  readonly feedConductivityUsCm: number;
  readonly estopOpen: boolean;
  coilPowered(coil: CoilName): boolean;
}

const b = (v: boolean): number => (v ? 1 : 0);

function driveField(d: Drive, field: string, tag: string): number {
  switch (field) {
    case "status":
      return d.statusWord;
    case "speed":
      return d.speedPct;
    case "current":
      return d.currentA;
    case "power":
      return d.powerKw;
    case "faultCode":
      return d.faultCode;
    default:
      throw new RangeError(`unknown tag "${tag}"`);
  }
}

export function measureTag(pl: PlantView, tag: string): number {
  switch (tag) {
    case "LIT-101":
      return pl.eq.levelPct;
    case "LIT-202":
      return pl.breakTank.levelPct;
    case "LIT-601":
      return pl.reuseTank.levelPct;
    case "LSL-101":
      return b(pl.eq.levelPct < pl.params.lslPct);
    case "PIT-201":
      return pl.pressures.pit201;
    case "PIT-202":
      return pl.pressures.pit202;
    case "PIT-301":
      return pl.pressures.pit301;
    case "DPIT-201":
      return pl.pressures.pit201 - pl.pressures.pit202;
    case "FIT-201":
      return pl.flows.uf;
    case "FIT-301":
      return pl.flows.permeate;
    case "FIT-302":
      return pl.flows.concentrate;
    case "FIT-501":
      return pl.flows.permeate;
    case "FQ-201":
      return pl.totals.uf;
    case "FQ-301":
      return pl.totals.permeate;
    case "FQ-302":
      return pl.totals.concentrate;
    case "FQ-501":
      return pl.totals.product;
    case "AIT-201":
      return pl.uf.filtrateNtu;
    case "AIT-301":
      return pl.feedConductivityUsCm;
    case "AIT-302":
      return pl.qRo[Q.COND] as number;
    case "RJ-301":
      return pl.ro.rejectionPct;
    case "AIT-401":
      return pl.qAnalyzers[Q.CL] as number;
    case "AIT-402":
      return pl.qAnalyzers[Q.PH] as number;
    case "AIT-403":
      return pl.qAnalyzers[Q.TURB] as number;
    case "TIT-401":
      return pl.qAnalyzers[Q.TEMP] as number;
    case "ZSO-501":
      return b(pl.valve.inReuse);
    case "ZSC-501":
      return b(pl.valve.inDivert);
    case "HS-001":
      return b(!pl.estopOpen);
    case "P-202-RUN":
      return b(pl.coilPowered("P-202"));
    case "P-401-RUN":
      return b(pl.coilPowered("P-401"));
    default: {
      const dot = tag.indexOf(".");
      const drive = tag.slice(0, dot);
      if (dot > 0 && (drive === "vfd-p101" || drive === "vfd-p301")) return driveField(pl.drives[drive], tag.slice(dot + 1), tag);
      throw new RangeError(`unknown tag "${tag}"`);
    }
  }
}
