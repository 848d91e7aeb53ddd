package dev.waituntil.agent.runtime;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The pending tasks of a scope: lists threaded through the records themselves, in stripes, each with its own lock.
 * A registration adds its record and its end removes it: with no entry object (a hash set's node is 32 bytes a task),
 * and without a shared counter. A record's stripe is its id's block, and each thread takes its ids in blocks of its
 * own stripe (see {@link TaskAdmission}): up to {@link #STRIPES} threads that register at once lock different stripes.
 *
 * <p>Reads are as a concurrent set's: {@link #size} is the sum of the stripes' counts, and iteration goes over a copy,
 * made stripe by stripe, so a task may end or come while it is made.
 */
final class PendingTasks extends AbstractCollection<TrackedTask> {

    static final int STRIPES = 16;
    private static final int BLOCK_SHIFT = Integer.numberOfTrailingZeros(TaskAdmission.ID_BLOCK);

    private final Stripe[] stripes = new Stripe[STRIPES];

    PendingTasks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** Adds a task that is in no list: once, at its admission. */
    @Override
    public boolean add(TrackedTask task) {
        Stripe stripe = stripeOf(task);
        synchronized (stripe) {
            TrackedTask head = stripe.head;
            task.previousPending = null;
            task.nextPending = head;
            if (head != null) {
                head.previousPending = task;
            }
            stripe.head = task;
            stripe.count++;
        }
        return true;
    }

    /** Removes {@code task}; false if it was not here. */
    boolean remove(TrackedTask task) {
        Stripe stripe = stripeOf(task);
        synchronized (stripe) {
            TrackedTask previous = task.previousPending;
            TrackedTask next = task.nextPending;
            if (previous == null) {
                if (stripe.head != task) {
                    return false;
                }
                stripe.head = next;
            } else {
                previous.nextPending = next;
            }
            if (next != null) {
                next.previousPending = previous;
            }
            task.previousPending = null;
            task.nextPending = null;
            stripe.count--;
        }
        return true;
    }

    @Override
    public boolean remove(Object o) {
        return o instanceof TrackedTask && remove((TrackedTask) o);
    }

    @Override
    public boolean contains(Object o) {
        if (!(o instanceof TrackedTask)) {
            return false;
        }
        TrackedTask task = (TrackedTask) o;
        Stripe stripe = stripeOf(task);
        synchronized (stripe) {
            return task.previousPending != null || stripe.head == task;
        }
    }

    @Override
    public int size() {
        int n = 0;
        for (Stripe stripe : stripes) {
            n += stripe.count;
        }
        return n;
    }

    @Override
    public boolean isEmpty() {
        for (Stripe stripe : stripes) {
            if (stripe.count != 0) {
                return false;
            }
        }
        return true;
    }

    /** Over a copy: the caller may end or cancel the tasks it meets, which takes them out of their lists. */
    @Override
    public Iterator<TrackedTask> iterator() {
        List<TrackedTask> copy = new ArrayList<TrackedTask>(size() + 8);
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                for (TrackedTask task = stripe.head; task != null; task = task.nextPending) {
                    copy.add(task);
                }
            }
        }
        return Collections.unmodifiableList(copy).iterator();
    }

    private Stripe stripeOf(TrackedTask task) {
        return stripes[(int) ((task.id() - 1) >>> BLOCK_SHIFT) & (STRIPES - 1)];
    }

    private static final class Stripe {
        /** Guarded by this stripe. */
        TrackedTask head;
        /** Written under this stripe's lock, read without it. */
        volatile int count;
    }
}
