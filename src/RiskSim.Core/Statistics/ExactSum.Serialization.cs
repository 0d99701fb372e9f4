using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>The state of an exact sum written to and read from a partial result of a sharded run.</summary>
internal sealed partial class ExactSum
{
    /// <summary>Writes the count and the bins that hold anything (two 64-bit words each, low word first), little-endian.</summary>
    internal void WriteTo(BinaryWriter writer)
    {
        Fold();
        writer.Write(Count);
        writer.Write(_lowest);
        writer.Write(_highest);
        for (int e = _lowest; e <= _highest; e++)
        {
            writer.Write((ulong)_bins[e]);
            writer.Write((long)(_bins[e] >> 64));
        }
    }

    /// <summary>An exact sum as <see cref="WriteTo"/> wrote it; throws <see cref="InvalidDataException"/> when the bin range is impossible.</summary>
    internal static ExactSum ReadFrom(BinaryReader reader)
    {
        var sum = new ExactSum { Count = reader.ReadInt64() };
        int lowest = reader.ReadInt32();
        int highest = reader.ReadInt32();
        bool empty = lowest == Bins && highest == -1;
        if (sum.Count < 0 || (!empty && (lowest < 0 || highest >= Bins || lowest > highest)) || (empty && sum.Count != 0))
        {
            throw new InvalidDataException($"exact sum with bins {lowest} … {highest} and count {sum.Count}");
        }

        if (!empty)
        {
            for (int e = lowest; e <= highest; e++)
            {
                ulong low = reader.ReadUInt64();
                long high = reader.ReadInt64();
                sum._bins[e] = ((Int128)high << 64) | low;
            }

            sum._lowest = lowest;
            sum._highest = highest;
        }

        return sum;
    }
}
