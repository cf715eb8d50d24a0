package io.usageplans.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The PetStore of the AWS tutorial: GET /pets, GET /pets/{petId}, POST /pets. Pets live in memory. */
public class PetsServlet extends HttpServlet {

    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([A-Za-z]{1,20})\"");
    private static final Pattern PRICE = Pattern.compile("\"price\"\\s*:\\s*([0-9]{1,6}(?:\\.[0-9]{1,2})?)");

    private final Map<Long, String> pets = new ConcurrentSkipListMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    @Override
    public void init() {
        add("dog", "249.99");
        add("cat", "124.99");
        add("fish", "0.99");
    }

    private long add(String type, String price) {
        long id = nextId.getAndIncrement();
        pets.put(id, "{\"id\":" + id + ",\"type\":\"" + type + "\",\"price\":" + price + "}");
        return id;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String info = request.getPathInfo();
        if (info == null || info.equals("/")) {
            List<String> all = new ArrayList<>(pets.values());
            json(response, 200, "[" + String.join(",", all) + "]");
            return;
        }
        String pet = null;
        try {
            pet = pets.get(Long.parseLong(info.substring(1)));
        } catch (NumberFormatException e) {
            // not a number: no such pet
        }
        if (pet == null) {
            json(response, 404, "{\"message\":\"Pet not found\"}");
        } else {
            json(response, 200, pet);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String info = request.getPathInfo();
        if (info != null && !info.equals("/")) {
            json(response, 405, "{\"message\":\"Method Not Allowed\"}");
            return;
        }
        String body = new String(request.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
        Matcher type = TYPE.matcher(body);
        Matcher price = PRICE.matcher(body);
        if (!type.find() || !price.find()) {
            json(response, 400, "{\"message\":\"a pet needs a type (letters) and a price, like {\\\"type\\\":\\\"dog\\\",\\\"price\\\":249.99}\"}");
            return;
        }
        long id = add(type.group(1).toLowerCase(Locale.ROOT), price.group(1));
        json(response, 201, "{\"pet\":" + pets.get(id) + ",\"message\":\"success\"}");
    }

    private static void json(HttpServletResponse response, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
