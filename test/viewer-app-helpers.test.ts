/**
 * The viewer's DOM-free helpers in Node: hash routes, the split of a run's metrics into epoch and
 * test records as the server sends them, and how numbers read on the pages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epochRecords, epochsOf, hasValues, testRecords, valuesOf, type MetricRecord } from '../src/viewer/metrics.js';
import { parseRoute, routeHref } from '../src/viewer/route.js';
import { bytes, integer, number, percent, shape } from '../src/viewer/format.js';

describe('viewer helpers', () => {
  it('routes: page and bundle from the hash, the overview by default, ids encoded both ways', () => {
    assert.deepEqual(parseRoute(''), { page: 'overview', bundle: null });
    assert.deepEqual(parseRoute('#/weights'), { page: 'weights', bundle: null });
    assert.deepEqual(parseRoute('#/compare?bundle=2'), { page: 'compare', bundle: '2' });
    const href = routeHref('training', 'b-1 &x');
    assert.deepEqual(parseRoute(href), { page: 'training', bundle: 'b-1 &x' });
    assert.equal(routeHref('overview', null), '#/overview');
  });

  it('metrics: epoch records apart from the test result, x from epochs, gaps as null', () => {
    const records: MetricRecord[] = [
      { epoch: 1, loss: 0.6, val_loss: null },
      { epoch: 2, loss: 0.4 },
      { epoch: 2, test_loss: 0.37, test_accuracy: 0.86, test_count: 10000 },
    ];
    const epochs = epochRecords(records);
    assert.equal(epochs.length, 2);
    assert.deepEqual(testRecords(records), [records[2]]);
    assert.deepEqual(epochsOf(epochs), [1, 2]);
    assert.deepEqual(epochsOf([{ loss: 1 }, { loss: 2 }]), [1, 2]);
    assert.deepEqual(valuesOf(epochs, 'val_loss'), [null, null]);
    assert.equal(hasValues(valuesOf(epochs, 'val_loss')), false);
    assert.deepEqual(valuesOf(epochs, 'loss'), [0.6, 0.4]);
  });

  it('formats: grouped integers, four significant digits, exponents for tiny values, shapes with the batch as ·', () => {
    assert.equal(integer(36507242), '36,507,242');
    assert.equal(number(0.123456), '0.1235');
    assert.equal(number(3.7e-5), '3.700e-5');
    assert.equal(number(null), '–');
    assert.equal(number(Number.NaN), 'NaN');
    assert.equal(percent(0.8646, 2), '86.46%');
    assert.equal(shape([null, 28, 28, 1]), '[·, 28, 28, 1]');
    assert.equal(bytes(146063360), '139 MB');
  });
});
