// Each statement below must be a type error: tsc reports an unused
// expect-error directive if the declarations let one of them through.
import { cluster, stream } from 'forkpipe';

// @ts-expect-error serialization is 'json' or 'advanced'
cluster.setupPrimary({ serialization: 'xml' });
// @ts-expect-error workers are read-only
cluster.workers = {};
// @ts-expect-error fork() takes an env object
cluster.fork('env');
// @ts-expect-error isPrimary is read-only
cluster.isPrimary = false;
// @ts-expect-error not a policy
cluster.setupPrimary({ schedulingPolicy: 'random' });
// @ts-expect-error a Readable has no write()
stream.Readable.from(['x']).write('y');
