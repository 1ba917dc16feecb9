// The trail as a Sankey picture: partners → donations (or sales) → uses, in fen.
import type { Outflow } from '../api/ledger'

export interface SankeyData {
  nodes: Array<{ name: string }>
  links: Array<{ source: string; target: string; value: number }>
}

/**
 * Nodes are labelled for people: partnerLabel(partner_id), the source id, useLabel(outflow).
 * Amounts add up per link; reversed outflows are left out.
 */
export function trailSankey(
  outflows: Outflow[],
  partnerLabel: (partnerId: string) => string,
  useLabel: (o: Outflow) => string,
): SankeyData {
  const links = new Map<string, { source: string; target: string; value: number }>()
  const nodes = new Set<string>()
  const add = (source: string, target: string, value: number) => {
    nodes.add(source)
    nodes.add(target)
    const key = `${source}\u0000${target}`
    const link = links.get(key)
    if (link) link.value += value
    else links.set(key, { source, target, value })
  }
  for (const o of outflows) {
    if (o.reversed) continue
    for (const s of o.sources) {
      add(partnerLabel(s.partner_id), s.source_id, s.amount_fen)
      add(s.source_id, useLabel(o), s.amount_fen)
    }
  }
  return { nodes: [...nodes].map((name) => ({ name })), links: [...links.values()] }
}
