package io.usageplans.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** The pets of the tutorial, in memory. */
@ApplicationScoped
public class PetStore {

    private final Map<Long, String> pets = new ConcurrentSkipListMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    public PetStore() {
        add("dog", "249.99");
        add("cat", "124.99");
        add("fish", "0.99");
    }

    /** Adds a pet; returns its JSON. */
    public String add(String type, String price) {
        long id = nextId.getAndIncrement();
        String json = "{\"id\":" + id + ",\"type\":\"" + type + "\",\"price\":" + price + "}";
        pets.put(id, json);
        return json;
    }

    public List<String> all() {
        return new ArrayList<>(pets.values());
    }

    public Optional<String> get(long id) {
        return Optional.ofNullable(pets.get(id));
    }
}
