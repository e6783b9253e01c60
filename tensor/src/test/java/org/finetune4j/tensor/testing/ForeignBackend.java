package org.finetune4j.tensor.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.finetune4j.tensor.CpuStorage;
import org.finetune4j.tensor.Device;
import org.finetune4j.tensor.Shape;
import org.finetune4j.tensor.Tensor;
import org.finetune4j.tensor.backend.Backend;
import org.finetune4j.tensor.backend.Backends;

/**
 * The Backend of a {@link ForeignDevice}: every op unwraps its tensor arguments (each must live
 * on this device, or the call fails naming the op and the argument), runs the CPU backend on
 * views of the private arrays, copies version bumps of in-place writes back to the foreign
 * storages, and wraps every tensor it returns (also inside records, arrays and lists) as foreign.
 * upload and download are explicit copies.
 *
 * <p>A dynamic proxy rather than ~50 hand-written delegations: one code path unwraps every op,
 * so none can be forgotten, and ops added to Backend later are covered without edits. Test
 * code only; main code keeps the one ServiceLoader lookup.
 */
final class ForeignBackend implements InvocationHandler {
    private final Device device;
    private final Backend cpu = Backends.cpu();

    private ForeignBackend(Device device) {
        this.device = device;
    }

    static Backend create(Device device) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, new ForeignBackend(device));
    }

    static boolean isForeign(Backend b) {
        return Proxy.isProxyClass(b.getClass())
                && Proxy.getInvocationHandler(b) instanceof ForeignBackend;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object[] in = args == null ? new Object[0] : args;
        switch (method.getName()) {
            case "device": return device;
            case "describe": return "foreign " + device + " (test fake: CPU kernels, own arrays)";
            case "toString": return "ForeignBackend(" + device + ")";
            case "hashCode": return System.identityHashCode(proxy);
            case "equals": return proxy == in[0];
            case "upload": return upload((float[]) in[0], (Shape) in[1]);
            case "download": return storageOf("download", 0, (Tensor) in[0]).values().clone();
            default: return new Call(method.getName()).run(method, in);
        }
    }

    private Tensor upload(float[] host, Shape shape) {
        if (host.length != shape.size()) {
            throw new IllegalArgumentException("upload: " + host.length + " values for " + shape);
        }
        return new Tensor(shape, new ForeignStorage(device, host.clone()));
    }

    private ForeignStorage storageOf(String op, int arg, Tensor t) {
        if (t.storage() instanceof ForeignStorage fs && fs.device().equals(device)) return fs;
        throw new IllegalStateException("ForeignDevice " + device + ": op '" + op + "' argument "
                + arg + " " + t.shape() + " lives on " + t.device() + " (" + t.storage()
                + "), not on " + device + ": a tensor leaked past the device boundary");
    }

    /** One op invocation: the CPU views it handed out, to map results and versions back. */
    private final class Call {
        private final String op;
        private final Map<float[], ForeignStorage> owners = new IdentityHashMap<>();
        private final List<Tensor> views = new ArrayList<>();
        private final List<ForeignStorage> viewOwners = new ArrayList<>();

        Call(String op) {
            this.op = op;
        }

        Object run(Method method, Object[] args) throws Throwable {
            Object[] cpuArgs = new Object[args.length];
            for (int i = 0; i < args.length; i++) cpuArgs[i] = unwrap(i, args[i]);
            Object result;
            try {
                result = method.invoke(cpu, cpuArgs);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            for (int i = 0; i < views.size(); i++) {
                for (int v = views.get(i).version(); v > 0; v--) viewOwners.get(i).bumpVersion();
            }
            return wrap(result);
        }

        private Object unwrap(int arg, Object a) {
            if (a instanceof Tensor t) return view(arg, t);
            if (a instanceof Tensor[] ts) {
                Tensor[] out = new Tensor[ts.length];
                for (int j = 0; j < ts.length; j++) {
                    out[j] = ts[j] == null ? null : view(arg, ts[j]);
                }
                return out;
            }
            if (a instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) out.add(unwrap(arg, o));
                return out;
            }
            return a;
        }

        /** A fresh CPU tensor over the foreign array (version 0, so its bumps can be counted). */
        private Tensor view(int arg, Tensor t) {
            ForeignStorage fs = storageOf(op, arg, t);
            owners.put(fs.values(), fs);
            Tensor v = new Tensor(t.shape(), new CpuStorage(fs.values()));
            views.add(v);
            viewOwners.add(fs);
            return v;
        }

        private Object wrap(Object r) throws ReflectiveOperationException {
            if (r instanceof Tensor t) return foreign(t);
            if (r instanceof Tensor[] ts) {
                Tensor[] out = new Tensor[ts.length];
                for (int j = 0; j < ts.length; j++) out[j] = ts[j] == null ? null : foreign(ts[j]);
                return out;
            }
            if (r instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) out.add(wrap(o));
                return out;
            }
            if (r instanceof Record rec) return wrapRecord(rec);
            return r;
        }

        /** A CPU result as a foreign tensor; a result over an input's array keeps its storage. */
        private Tensor foreign(Tensor t) {
            if (!(t.storage() instanceof CpuStorage cs)) {
                throw new IllegalStateException("ForeignDevice: CPU op '" + op + "' returned a "
                        + t.device() + " tensor");
            }
            ForeignStorage same = owners.get(cs.data());
            if (same == null) same = new ForeignStorage(device, cs.data());
            return new Tensor(t.shape(), same);
        }

        private Record wrapRecord(Record rec) throws ReflectiveOperationException {
            RecordComponent[] parts = rec.getClass().getRecordComponents();
            Class<?>[] types = new Class<?>[parts.length];
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                types[i] = parts[i].getType();
                values[i] = wrap(parts[i].getAccessor().invoke(rec));
            }
            return (Record) rec.getClass().getDeclaredConstructor(types).newInstance(values);
        }
    }
}
