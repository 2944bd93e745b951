/**
 * Overview: what the bundle is (class, parameters, size, where training stands, checksums,
 * versions), its arguments beside their schema's documentation with the non-default ones marked,
 * the input contract, optimizer and scheduler, the architecture diagram and the layer table.
 */
import type { BundleSummary, SummaryLayer } from '../../core/viewer-protocol.js';
import { architectureDiagram, layerKind } from '../diagram.js';
import { card, h } from '../dom.js';
import { bytes, integer, number, shape, value } from '../format.js';
import type { Page } from '../page.js';
import { sortableTable } from '../table.js';

export const page: Page = {
  id: 'overview',
  title: 'Overview',
  render(root, { bundle }) {
    const summary = bundle.summary;
    root.append(
      facts(summary),
      h('div', { class: 'grid two' }, argumentsCard(summary), h('div', { class: 'stack' }, inputCard(summary), trainingStateCard(summary))),
      card('Architecture', architectureDiagram(summary.layers)),
      card('Layers', layerTable(summary.layers)),
    );
  },
};

function fact(label: string, content: Node | string, attributes: Record<string, string> = {}, note?: string): HTMLElement {
  return h('div', { class: 'fact' }, h('div', { class: 'fact-label' }, label), h('div', { class: 'fact-value', ...attributes }, content), note ? h('div', { class: 'fact-note' }, note) : null);
}

function facts(s: BundleSummary): HTMLElement {
  const migrated = s.migrations.length ? `migrated from schema version ${s.savedSchemaVersion}` : `schema version ${s.schemaVersion}`;
  return h(
    'section',
    { class: 'facts', 'aria-label': 'Key facts' },
    fact('Class', s.class, { 'data-testid': 'summary-class' }, migrated),
    fact('Parameters', integer(s.parameters), { 'data-testid': 'summary-parameters', 'data-value': String(s.parameters) }, `${integer(s.trainableParameters)} trainable, ${s.tensors.length} tensors`),
    fact('File', bytes(s.bytes), {}, s.name),
    fact('Trained', `epoch ${s.training.epoch}`, { 'data-testid': 'summary-epoch' }, `${integer(s.training.globalStep)} steps`),
    fact('Checksums', h('span', { class: 'ok' }, '✓ verified'), { 'data-testid': 'summary-checksums' }, `sha256 of ${s.checksums.entries} entries`),
    fact('Versions', `format ${s.versions.format}`, { 'data-testid': 'summary-versions' }, `archbundle ${s.versions.archbundle} · TF.js ${s.versions.tfjs}`),
  );
}

function argumentsCard(s: BundleSummary): HTMLElement {
  const changed = s.args.filter((a) => !a.isDefault).length;
  return card(
    'Arguments',
    h('p', { class: 'muted' }, `${s.args.length} arguments; `, h('span', { class: 'badge changed' }, 'set'), ` marks the ${changed} set explicitly (required, or other than the schema's default).`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'arguments', 'data-testid': 'arguments' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Argument'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Meaning'))),
        h(
          'tbody',
          {},
          ...s.args.map((a) =>
            h(
              'tr',
              { 'data-argument': a.name, 'data-default': String(a.isDefault), class: a.isDefault ? undefined : 'non-default' },
              h('th', { scope: 'row' }, h('code', {}, a.name), a.title ? h('div', { class: 'muted small' }, a.title) : null),
              h('td', {}, h('code', { class: 'value' }, value(a.value)), a.isDefault ? null : h('span', { class: 'badge changed', title: 'differs from the default' }, 'set'), !a.isDefault && 'default' in a ? h('div', { class: 'muted small' }, `default ${value(a.default)}`) : null),
              h('td', { class: 'description' }, a.description ?? ''),
            ),
          ),
        ),
      ),
    ),
  );
}

function inputCard(s: BundleSummary): HTMLElement {
  const input = s.input;
  if (!input) return card('Input', h('p', { class: 'muted' }, s.versions.format < 2 ? 'Format version 1 bundles hold no input contract.' : 'This bundle holds no input contract.'));
  return card(
    'Input',
    h(
      'dl',
      { class: 'pairs', 'data-testid': 'input-contract' },
      h('dt', {}, 'Dataset'),
      h('dd', {}, input.dataset ?? 'unknown'),
      h('dt', {}, 'Example'),
      h('dd', {}, `${input.layout} ${shape(input.shape)} (height, width, channels)`),
      h('dt', {}, 'Pixels'),
      h('dd', {}, `8-bit value × ${number(input.pixels.scale)} + ${number(input.pixels.offset)}`),
      h('dt', {}, 'Labels'),
      h('dd', {}, input.labels ? h('ol', { class: 'chips', start: 0 }, ...input.labels.map((l) => h('li', {}, l))) : 'none (classes are numbered)'),
    ),
  );
}

function trainingStateCard(s: BundleSummary): HTMLElement {
  const o = s.optimizer;
  const sch = s.scheduler;
  return card(
    'Optimizer and schedule',
    h(
      'dl',
      { class: 'pairs' },
      h('dt', {}, 'Optimizer'),
      h('dd', {}, o ? h('span', {}, h('strong', {}, o.class), argumentList(o.args)) : 'none saved'),
      ...(o ? [h('dt', {}, 'Learning rate'), h('dd', {}, `${number(o.learningRate)} at step ${integer(o.step)} (${o.slots} slot tensors)`)] : []),
      h('dt', {}, 'Scheduler'),
      h('dd', {}, sch ? h('span', {}, h('strong', {}, sch.class), argumentList(sch.args)) : 'none saved'),
    ),
  );
}

/** An optimizer's or scheduler's arguments, one `name value` pair each, wrapping between pairs only. */
function argumentList(args: Record<string, unknown>): HTMLElement {
  return h('ul', { class: 'arg-list' }, ...Object.entries(args).map(([name, v]) => h('li', {}, h('span', { class: 'muted' }, name), ' ', h('code', {}, value(v)))));
}

function layerTable(layers: SummaryLayer[]): HTMLElement {
  return sortableTable({
    caption: 'Layers',
    testId: 'layers',
    rows: layers.map((layer, order) => ({ layer, order })),
    rowAttributes: ({ layer }) => ({ 'data-layer': layer.name }),
    columns: [
      { key: 'order', label: '#', numeric: true, sortValue: (r) => r.order, cell: (r) => String(r.order) },
      { key: 'name', label: 'Name', sortValue: (r) => r.layer.name, cell: (r) => h('code', {}, r.layer.name) },
      { key: 'type', label: 'Type', sortValue: (r) => r.layer.type, cell: (r) => h('span', { class: `kind-tag kind-${layerKind(r.layer.type)}` }, r.layer.type) },
      { key: 'shape', label: 'Output shape', cell: (r) => shape(r.layer.outputShape) },
      { key: 'parameters', label: 'Parameters', numeric: true, sortValue: (r) => r.layer.parameters, cell: (r) => integer(r.layer.parameters) },
      { key: 'inputs', label: 'Inputs', cell: (r) => r.layer.inputs.join(', ') },
    ],
  });
}
