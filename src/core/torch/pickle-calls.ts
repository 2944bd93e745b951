/**
 * What REDUCE does with each allowed callable: each is re-implemented as data construction, with
 * its arguments checked; nothing named in the file is ever looked up or run. Every call does work
 * bounded by a constant or by the size of something it alone consumes, so repeating a call on a
 * large memoized argument cannot make the reader quadratic.
 */
import { ForeignFormatError } from '../errors.js';
import { describe, type CallableName, type Item, type ItemTuple } from './pickle-items.js';
import { rebuildParameter, rebuildTensor, type RebuildContext } from './tensor-rebuild.js';
import { PyBytes, PyDict, TorchDevice, type PyTuple } from './values.js';

export interface CallContext extends RebuildContext {
  /** Dicts made by a class call (OrderedDict(), Counter()), the only ones BUILD may give attributes. */
  instances: Set<PyDict>;
  /** _codecs.encode results by string, so that encoding one large string many times costs nothing. */
  encoded: Map<string, PyBytes>;
  /**
   * Results of the calls that build immutable values (tensors, devices, bytes), by argument
   * tuple: REDUCE on the same memoized arguments again gives the same value, not a new copy.
   */
  results: Map<CallableName, Map<PyTuple | ItemTuple, Item>>;
}

/** The calls whose results are immutable, so one result may stand for every repeat. */
const PURE: ReadonlySet<CallableName> = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch.device', '_codecs.encode']);

export function callAllowed(name: CallableName, args: PyTuple | ItemTuple, context: CallContext): Item {
  if (!PURE.has(name)) return construct(name, args.items, context);
  let results = context.results.get(name);
  if (!results) {
    results = new Map();
    context.results.set(name, results);
  }
  let result = results.get(args);
  if (result === undefined) {
    result = construct(name, args.items, context);
    results.set(args, result);
  }
  return result;
}

function construct(name: CallableName, args: readonly Item[], context: CallContext): Item {
  const bad = (what: string): never => {
    throw new ForeignFormatError('E_TORCH_FORMAT', `${context.stream}: ${name} at byte ${context.at} ${what}`);
  };
  switch (name) {
    case 'collections.OrderedDict': {
      // Protocol 2 pickles an OrderedDict as OrderedDict() and then SETITEMS; items as arguments never occur.
      if (args.length !== 0) bad(`is called with ${args.length} arguments; expected none`);
      const dict = new PyDict();
      context.instances.add(dict);
      return dict;
    }
    case 'collections.Counter': {
      // Counter.__reduce__ gives (Counter, (dict(self),)): the dict is the counter's content.
      if (args.length === 0) {
        const dict = new PyDict();
        context.instances.add(dict);
        return dict;
      }
      if (args.length !== 1 || !(args[0] instanceof PyDict)) return bad(`is called with ${args.map(describe).join(', ')}; expected one dict`);
      return args[0];
    }
    case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(args, context);
    case 'torch._utils._rebuild_parameter':
      return rebuildParameter(args, context);
    case 'torch.device': {
      const [type, index] = args;
      const typeOk = typeof type === 'string' && type.length <= 32 && /^[a-z][a-z0-9_]*(:[0-9]{1,4})?$/.test(type);
      const indexOk = args.length === 1 || (args.length === 2 && typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < 10000);
      if (!typeOk || !indexOk) return bad(`is called with ${args.map(describe).join(', ')}; expected a device type such as 'cpu' or 'cuda', and maybe an index`);
      return new TorchDevice(args.length === 2 ? `${type as string}:${index as number}` : (type as string));
    }
    case '_codecs.encode': {
      // Protocol 2 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
      const [text, encoding] = args;
      if (args.length !== 2 || typeof text !== 'string' || encoding !== 'latin1') {
        return bad(`is called with ${args.map(describe).join(', ')}; expected a str and 'latin1' (protocol 2's spelling of bytes)`);
      }
      const known = context.encoded.get(text);
      if (known) return known;
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0xff) return bad(`is given a str with the character U+${code.toString(16).padStart(4, '0')} at ${i}, which latin1 cannot encode`);
        bytes[i] = code;
      }
      const result = new PyBytes(bytes);
      context.encoded.set(text, result);
      return result;
    }
  }
}
