package com.example.orders;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application at {@code /api}; the server finds its resources by scanning. */
@ApplicationPath("/api")
public class OrdersApplication extends Application {
}
