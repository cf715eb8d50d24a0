package io.usageplans.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records what one java.util.logging logger (the JDK's System.Logger backend) receives, so a test can assert the lines a
 * user would read. Shared by the modules' tests through core's test jar. Around each test as a field
 * ({@code @RegisterExtension final LogRecorder log = LogRecorder.of(UsagePlans.class);}), or around a few lines:
 *
 * <pre>{@code
 * try (LogRecorder audit = LogRecorder.of(UsagePlansAdmin.class).start()) {
 *     ...
 *     assertEquals(List.of("usage-plans: ..."), audit.messages());
 * }
 * }</pre>
 */
public final class LogRecorder implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    private static final Formatter FORMATTER = new SimpleFormatter();

    /** Held here: a logger only the log manager references may be collected, and its level and handler with it. */
    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (keep.test(record)) {
                synchronized (records) {
                    records.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Predicate<LogRecord> keep = record -> true;
    private Level level;
    private Level levelBefore;

    private LogRecorder(Logger logger) {
        this.logger = logger;
    }

    /** Records the logger of this name ({@code ""}: the root logger, which hears every logger that passes records up). */
    public static LogRecorder of(String loggerName) {
        return new LogRecorder(Logger.getLogger(loggerName));
    }

    /** Records the logger named after this class, as {@code System.getLogger(type.getName())} names it. */
    public static LogRecorder of(Class<?> type) {
        return of(type.getName());
    }

    /** While recording, the logger's own level is this one (INFO lets through what an unconfigured JDK would drop). */
    public LogRecorder withLoggerLevel(Level loggerLevel) {
        this.level = loggerLevel;
        return this;
    }

    /** Keeps only the records that match; the others are not recorded at all. */
    public LogRecorder only(Predicate<LogRecord> which) {
        this.keep = which;
        return this;
    }

    /** Records at this level or above: {@code only(atLeast(Level.WARNING))}. */
    public static Predicate<LogRecord> atLeast(Level level) {
        return record -> record.getLevel().intValue() >= level.intValue();
    }

    /** Starts recording: sets the logger's level if one was given, then adds the handler. */
    public LogRecorder start() {
        if (level != null) {
            levelBefore = logger.getLevel();
            logger.setLevel(level);
        }
        logger.addHandler(handler);
        return this;
    }

    /** Stops recording and gives the logger back its level; what was recorded stays readable. */
    @Override
    public void close() {
        logger.removeHandler(handler);
        if (level != null) {
            logger.setLevel(levelBefore);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The records so far, oldest first: a copy. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The messages so far, oldest first, each as {@link #message} renders it. */
    public List<String> messages() {
        return records().stream().map(LogRecorder::message).toList();
    }

    /** Forgets what was recorded so far; recording goes on. */
    public void clear() {
        synchronized (records) {
            records.clear();
        }
    }

    /**
     * The message as the JDK's console handler prints it: the parameters put into {0}, {1}... when there are any, the
     * message as logged when there are none (so a quote in a message without parameters stays).
     */
    public static String message(LogRecord record) {
        return FORMATTER.formatMessage(record);
    }

    /** The logger recorded, for settings a test changes itself (whether its records also go to the console). */
    public Logger logger() {
        return logger;
    }
}
