package dev.persist.jcache.gadget;

import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/** A serializable invocation handler, so that a dynamic proxy can be serialized (the proxy tests allow it). */
public final class Handler implements InvocationHandler, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        return null;
    }
}
