/*
 * ProcessPrng for Wine 8, which lacks bcryptprimitives.dll: Rust's standard library (1.78 and
 * later) imports it on Windows for its random numbers (HashMap keys), so no Rust program starts
 * under Wine 8 without it. Built with MinGW by installer/windows/wine/prefix and copied into a
 * Wine prefix's system32; real Windows (10 and later) has its own and never gets this one.
 *
 * It fills the buffer through RtlGenRandom (advapi32's SystemFunction036, which Wine has),
 * in pieces of at most ULONG_MAX bytes, as Windows' ProcessPrng never fails.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
